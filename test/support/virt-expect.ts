/** Asserting the model's refusals: a VirtError of one kind (and, when given, a message that matches). */
import { expect } from 'chai';
import { VirtError } from '../../src/virt/errors.js';

export async function rejects(p: Promise<unknown>, kind: string, text?: RegExp): Promise<VirtError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a VirtError').to.be.instanceOf(VirtError);
  expect((e as VirtError).kind, (e as VirtError).message).to.equal(kind);
  if (text) expect((e as VirtError).message).to.match(text);
  return e as VirtError;
}
