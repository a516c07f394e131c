import { test, before, after } from 'node:test';
import { Differential } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

test('differential smoke: basic replies and errors match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.same(['PING'], ['PING', 'hello'], ['ECHO', 'x'], ['GET', 'nokey'], ['SET', 'k', 'v'], ['GET', 'k']);
  await d.same(['GET'], ['NOSUCHCMD', 'a', 'b'], ['SELECT', '99'], ['SELECT', 'x']);
});
