// In karma, `import { describe, it } from 'node:test'` resolves here (karma.conf.cjs alias): the
// same test files run under Node's built-in runner and, in Chromium, under mocha.
type Fn = () => unknown;
type Suite = (name: string, fn: () => void) => void;
type Test = (name: string, fn: Fn) => void;
type Hook = (fn: Fn) => void;

const g = globalThis as unknown as {
  describe: Suite & { skip: Suite };
  it: Test & { skip: Test };
  before: Hook;
  after: Hook;
  beforeEach: Hook;
  afterEach: Hook;
};

export const describe = g.describe;
export const it = g.it;
export const test = g.it;
export const before = g.before;
export const after = g.after;
export const beforeEach = g.beforeEach;
export const afterEach = g.afterEach;
