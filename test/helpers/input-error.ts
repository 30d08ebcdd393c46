import * as assert from 'uvu/assert';
import { InputError } from '../../src/util/errors.js';

/** The message of the InputError `fn` throws; the test fails when it throws nothing or something else. */
export function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.instance(e, InputError, String(e));
    return (e as Error).message;
  }
  assert.unreachable('should have thrown');
  return '';
}
