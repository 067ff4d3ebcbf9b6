import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/lib/crypto.js';

describe('token encryption', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));

  it('round-trips and never repeats a ciphertext', () => {
    const a = box.encrypt('EAAB-secret', 'accounts:acc_1:access');
    const b = box.encrypt('EAAB-secret', 'accounts:acc_1:access');
    expect(a).not.toBe(b);
    expect(a).not.toContain('EAAB');
    expect(box.decrypt(a, 'accounts:acc_1:access')).toBe('EAAB-secret');
  });

  it('refuses a ciphertext moved to another row or column', () => {
    const sealed = box.encrypt('EAAB-secret', 'accounts:acc_1:access');
    expect(() => box.decrypt(sealed, 'accounts:acc_2:access')).toThrow();
    expect(() => box.decrypt(sealed, 'accounts:acc_1:refresh')).toThrow();
  });

  it('refuses another key', () => {
    const other = new SecretBox(Buffer.alloc(32, 8));
    expect(() => other.decrypt(box.encrypt('x', 'a'), 'a')).toThrow(/key/);
  });
});
