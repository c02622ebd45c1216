/**
 * The environment file itself (environments/load.ts): strict JSON with errors that point at the place, and the folder
 * every command reads (PLATFORM_ENVIRONMENTS_DIR).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS_DIR, EnvironmentError, EnvironmentsDirError, environmentsDir, listEnvironments, loadEnvironment, parseEnvironmentJson } from '../../environments/load';

function problem(text: string): string {
  try {
    parseEnvironmentJson('qa', 'environments/qa.json', text);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as Error).message;
  }
  throw new Error('parsed without an error');
}

describe('the file', () => {
  test('fails when the JSON is broken: the line and column, the line itself and a caret under the place', () => {
    const message = problem('{\n  "name": "qa",\n  "account": { "id": "111111111111" "region": "eu-west-1" }\n}');
    expect(message).toContain('environment "qa" is not valid');
    expect(message).toContain('invalid JSON in environments/qa.json: CommaExpected at line 3, column 37');
    expect(message).toContain(`\n        "account": { "id": "111111111111" "region": "eu-west-1" }\n      ${' '.repeat(36)}^`);
  });

  test('fails on a trailing comma and on comments, which JSON does not allow', () => {
    expect(problem('{"name": "qa",}')).toMatch(/PropertyNameExpected at line 1, column 15/);
    expect(problem('{"name": "qa" // the name\n}')).toMatch(/InvalidCommentToken at line 1, column 15/);
  });

  test('fails on an empty file, saying it is empty', () => {
    expect(problem('')).toContain('got an empty file environments/qa.json');
    expect(problem(' \n\t\n')).toContain('got an empty file');
  });

  test('fails when a key is given twice in one object, naming its path and both lines (the last would win silently)', () => {
    const message = problem('{\n  "name": "qa",\n  "edge": { "wafRateLimit": 1000,\n    "wafRateLimit": 10 }\n}');
    expect(message).toContain('edge.wafRateLimit: got the key "wafRateLimit" a second time (line 4, column 5; first on line 3)');
    // The same key in two different objects is no duplicate.
    expect(parseEnvironmentJson('qa', 'qa.json', '{"a": {"x": 1}, "b": {"x": 2}, "c": [{"y": 1}, {"y": 2}]}')).toEqual({ a: { x: 1 }, b: { x: 2 }, c: [{ y: 1 }, { y: 2 }] });
  });

  test('accepts a UTF-8 byte-order mark (editors on Windows write one)', () => {
    expect(parseEnvironmentJson('qa', 'qa.json', '\uFEFF{"name": "qa"}')).toEqual({ name: 'qa' });
  });

  test('a file with a byte-order mark loads as the same environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'environments-'));
    try {
      writeFileSync(join(dir, 'dev.json'), `\uFEFF${readFileSync(join(ENVIRONMENTS_DIR, 'dev.json'), 'utf8')}`);
      expect(loadEnvironment('dev', dir)).toEqual(loadEnvironment('dev'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the folder (PLATFORM_ENVIRONMENTS_DIR)', () => {
  const saved = process.env.PLATFORM_ENVIRONMENTS_DIR;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'environments-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PLATFORM_ENVIRONMENTS_DIR;
    else process.env.PLATFORM_ENVIRONMENTS_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  test('is where every command looks, when set', () => {
    writeFileSync(join(dir, 'qa.json'), readFileSync(join(ENVIRONMENTS_DIR, 'dev.json'), 'utf8').replace('"name": "dev"', '"name": "qa"'));
    process.env.PLATFORM_ENVIRONMENTS_DIR = dir;
    expect(environmentsDir()).toBe(dir);
    expect(listEnvironments()).toEqual(['qa']);
    expect(loadEnvironment('qa').name).toBe('qa');
    delete process.env.PLATFORM_ENVIRONMENTS_DIR;
    expect(environmentsDir()).toBe(ENVIRONMENTS_DIR);
  });

  test('fails when the folder does not exist, or holds no environment file, naming the setting', () => {
    process.env.PLATFORM_ENVIRONMENTS_DIR = join(dir, 'missing');
    expect(() => listEnvironments()).toThrow(EnvironmentsDirError);
    expect(() => listEnvironments()).toThrow(`PLATFORM_ENVIRONMENTS_DIR=${join(dir, 'missing')}: no such folder`);
    mkdirSync(join(dir, 'empty'));
    process.env.PLATFORM_ENVIRONMENTS_DIR = join(dir, 'empty');
    expect(() => listEnvironments()).toThrow(`PLATFORM_ENVIRONMENTS_DIR=${join(dir, 'empty')}: no environment files (<name>.json) in this folder`);
  });
});
