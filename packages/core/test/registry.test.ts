import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, isMlsdError, NotFoundError } from '../src/index.js';
import { Registry } from '../src/internal.js';

describe('Registry', () => {
  const make = () =>
    new Registry<number>({ noun: 'widget', howToAdd: 'registerWidget()' }, [
      ['alpha', 1],
      ['beta', 2],
    ]);

  it('keeps registration order and finds, replaces and removes entries', () => {
    const registry = make();
    registry.register('gamma', 3);
    expect(registry.names()).toEqual(['alpha', 'beta', 'gamma']);
    expect(registry.values()).toEqual([1, 2, 3]);
    expect(registry.get('beta')).toBe(2);
    expect(registry.find('delta')).toBeUndefined();
    registry.register('beta', 20, { replace: true });
    expect(registry.get('beta')).toBe(20);
    expect(registry.unregister('alpha')).toBe(true);
    expect(registry.unregister('alpha')).toBe(false);
    expect(registry.has('alpha')).toBe(false);
    expect(registry.names()).toEqual(['beta', 'gamma']);
  });

  it('refuses a taken name without replace, and a name that is not letters, digits . _ -', () => {
    const registry = make();
    expect(() => registry.register('alpha', 9)).toThrow(
      /A widget "alpha" is already registered; pass \{ replace: true \}/,
    );
    expect(registry.get('alpha')).toBe(1);
    for (const bad of ['', 'two words', '-dash-first', 'a/b']) {
      expect(() => registry.register(bad, 0)).toThrow(InvalidArgumentError);
    }
  });

  it('names the nearest and every registered entry when a lookup fails', () => {
    let error: unknown;
    try {
      make().get('alpah');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(isMlsdError(error) && error.message).toBe(
      'No widget "alpah" (did you mean "alpha"?) is registered (registered: alpha, beta); add one with registerWidget().',
    );
    const strict = new Registry<number>({ noun: 'kind', howToAdd: 'x()', missing: 'not-found' });
    expect(() => strict.get('any')).toThrow(NotFoundError);
  });
});
