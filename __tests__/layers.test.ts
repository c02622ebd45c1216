/**
 * The layers import only downward: the constructs (modules/) import nothing of this repository outside themselves, and
 * of installed packages only their peers (cdktf, constructs, the AWS provider's classes) and Node's own modules; the
 * environment configuration (environments/) only the constructs; the stacks (stacks/) only these two; the review policy
 * (review/) those three, and no package that does I/O. The commands (scripts/, main.ts) sit on top and may import any of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './helpers/run-script';

interface Layer {
  readonly name: string;
  /** Folders (relative to the repository) whose files belong to the layer. */
  readonly folders: readonly string[];
  /** Folders of this repository the layer's files may import from (its own included). */
  readonly mayImport: readonly string[];
  /** Installed packages the layer may import; absent: any. */
  readonly packages?: RegExp;
  /** What the layer may import of them, in words (the message). */
  readonly packagesAllowed?: string;
}

const LAYERS: readonly Layer[] = [
  { name: 'constructs', folders: ['modules'], mayImport: ['modules'], packages: /^(cdktf|constructs|@cdktf\/provider-aws\/lib\/[a-z0-9-]+|node:[a-z_/]+)$/, packagesAllowed: 'the constructs import only their peer packages and Node\'s modules' },
  { name: 'environment configuration', folders: ['environments'], mayImport: ['environments', 'modules'] },
  { name: 'stacks', folders: ['stacks'], mayImport: ['stacks', 'environments', 'modules'] },
  // The review policy (plan summary, drift noise, plan fingerprints, access rules) does no I/O: it reads what it is given.
  { name: 'review policy', folders: ['review'], mayImport: ['review', 'stacks', 'environments', 'modules'], packages: /^(node:crypto|@cloud-copilot\/iam-(policy|simulate))$/, packagesAllowed: 'the review policy does no I/O: of packages only node:crypto and the IAM policy evaluator' },
];

/** What a TypeScript file imports: `import ... from`, `export ... from`, side-effect imports, `import()` and `require()`. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of source.matchAll(pattern)) found.push((match[1] ?? match[2])!);
  return found;
}

/** Each import of `files` that leaves what its layer may import: "file: specifier (why)". */
export function layerViolations(files: ReadonlyMap<string, string>, layers: readonly Layer[] = LAYERS): string[] {
  const violations: string[] = [];
  for (const [file, source] of files) {
    const layer = layers.find((l) => l.folders.some((folder) => file.startsWith(`${folder}/`)));
    if (!layer) continue;
    for (const specifier of importsOf(source)) {
      if (specifier.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
        if (!layer.mayImport.some((folder) => target === folder || target.startsWith(`${folder}/`))) {
          violations.push(`${file}: ${specifier} (${target} is outside what the ${layer.name} may import: ${layer.mayImport.join(', ')})`);
        }
      } else if (layer.packages && !layer.packages.test(specifier)) {
        violations.push(`${file}: ${specifier} (${layer.packagesAllowed})`);
      }
    }
  }
  return violations;
}

function sources(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(ROOT, path), readFileSync(path, 'utf8'));
  }
  return files;
}

describe('layers', () => {
  test('every import of the constructs, the environment configuration, the stacks and the review policy points downward', () => {
    const files = new Map(LAYERS.flatMap((layer) => layer.folders.flatMap((folder) => [...sources(folder)])));
    for (const folder of LAYERS.flatMap((layer) => layer.folders)) expect([folder, [...files.keys()].some((file) => file.startsWith(`${folder}/`))]).toEqual([folder, true]);
    expect(layerViolations(files)).toEqual([]);
  });

  test('an upward import is found, with the file, the import and what the layer may import', () => {
    const files = new Map([
      ['modules/network/index.ts', "import type { NetworkConfig } from '../../environments/schema';\nimport { Construct } from 'constructs';"],
      ['modules/edge/index.ts', "import { z } from 'zod';\nexport * from './certificates';"],
      ['environments/load.ts', "import { addEnvironmentStacks } from '../stacks';"],
      ['stacks/index.ts', "const args = require('../scripts/lib/args');\nconst later = import('../modules/edge');"],
      ['review/verify.ts', "import { readFileSync } from 'node:fs';\nimport { terraform } from '../scripts/lib/terraform';\nimport { createHash } from 'node:crypto';"],
    ]);
    expect(layerViolations(files)).toEqual([
      'modules/network/index.ts: ../../environments/schema (environments/schema is outside what the constructs may import: modules)',
      'modules/edge/index.ts: zod (the constructs import only their peer packages and Node\'s modules)',
      'environments/load.ts: ../stacks (stacks is outside what the environment configuration may import: environments, modules)',
      'stacks/index.ts: ../scripts/lib/args (scripts/lib/args is outside what the stacks may import: stacks, environments, modules)',
      'review/verify.ts: node:fs (the review policy does no I/O: of packages only node:crypto and the IAM policy evaluator)',
      'review/verify.ts: ../scripts/lib/terraform (scripts/lib/terraform is outside what the review policy may import: review, stacks, environments, modules)',
    ]);
  });

  test('imports are read in every form a file can take', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "import './c';",
      "export * from './d';",
      "export { e } from './e';",
      'import {\n  f,\n  g,\n} from "./fg";',
      "const h = require('./h');",
      "const i = await import('./i');",
      "// from './not-an-import' in a comment is text",
    ].join('\n');
    expect(importsOf(source)).toEqual(['./a', './b', './c', './d', './e', './fg', './h', './i']);
  });
});
