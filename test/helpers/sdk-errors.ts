/**
 * The rejection of a promise, typed loosely for assertions on SDK errors (`err.status`,
 * `err.response`, `err.error`); fails the test when the promise resolves instead.
 */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
