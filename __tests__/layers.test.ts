/**
 * The layers import only downward. The constructs (packages/constructs/src, the installable library) import nothing of
 * this repository outside themselves, and of installed packages only their peers (cdktf, constructs, the AWS provider's
 * classes) and Node's own modules. Everything else imports them by package name (@private-api-platform/constructs/...),
 * as a team that installed them would, never by a path into the package. The environment configuration
 * (environments/) imports no other folder; the stacks (stacks/) only the environment configuration; the review policy
 * (review/) those, and no package that does I/O; the examples (examples/) only what a team that installed the package
 * has. The commands (scripts/, bench/, main.ts) and the tests sit on top.
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

const CONSTRUCTS = '@private-api-platform\\/constructs\\/[a-z/-]+';
const PEERS = 'cdktf|constructs|@cdktf\\/provider-aws\\/lib\\/[a-z0-9-]+';

const LAYERS: readonly Layer[] = [
  { name: 'constructs', folders: ['packages/constructs/src'], mayImport: ['packages/constructs/src'], packages: new RegExp(`^(${PEERS}|node:[a-z_/]+)$`), packagesAllowed: 'the constructs import only their peer packages and Node\'s modules' },
  { name: 'environment configuration', folders: ['environments'], mayImport: ['environments'] },
  { name: 'stacks', folders: ['stacks'], mayImport: ['stacks', 'environments'] },
  // The review policy (plan summary, drift noise, plan fingerprints, access rules) does no I/O: it reads what it is given.
  { name: 'review policy', folders: ['review'], mayImport: ['review', 'stacks', 'environments'], packages: new RegExp(`^(${CONSTRUCTS}|node:crypto|zod|@cloud-copilot\\/iam-(policy|simulate))$`), packagesAllowed: 'the review policy does no I/O: of packages only the constructs, node:crypto, zod and the IAM policy evaluator' },
  { name: 'examples', folders: ['examples'], mayImport: ['examples'], packages: new RegExp(`^(${CONSTRUCTS}|${PEERS})$`), packagesAllowed: 'the examples import only what a team that installed the constructs has: them and their peers' },
  { name: 'commands', folders: ['scripts', 'bench'], mayImport: ['scripts', 'bench', 'review', 'stacks', 'environments'] },
  { name: 'tests', folders: ['__tests__'], mayImport: ['__tests__', 'main.ts', 'examples', 'scripts', 'bench', 'review', 'stacks', 'environments'] },
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
  test('every import of every layer points downward, and the constructs are imported by name only', () => {
    const files = new Map(LAYERS.flatMap((layer) => layer.folders.flatMap((folder) => [...sources(folder)])));
    for (const folder of LAYERS.flatMap((layer) => layer.folders)) expect([folder, [...files.keys()].some((file) => file.startsWith(`${folder}/`))]).toEqual([folder, true]);
    expect(layerViolations(files)).toEqual([]);
  });

  test('an upward import is found, with the file, the import and what the layer may import', () => {
    const files = new Map([
      ['packages/constructs/src/network/index.ts', "import type { NetworkConfig } from '../../../../environments/schema';\nimport { Construct } from 'constructs';"],
      ['packages/constructs/src/edge/index.ts', "import { z } from 'zod';\nexport * from './certificates';"],
      ['environments/load.ts', "import { addEnvironmentStacks } from '../stacks';"],
      ['stacks/index.ts', "const args = require('../scripts/lib/args');\nconst later = import('@private-api-platform/constructs/edge');"],
      ['review/verify.ts', "import { readFileSync } from 'node:fs';\nimport { terraform } from '../scripts/lib/terraform';\nimport { createHash } from 'node:crypto';"],
      ['stacks/platform-stack.ts', "import { Network } from '../packages/constructs/src/network';"],
      ['scripts/smoke.ts', "import { operationsOf } from '../packages/constructs/src/private-api/openapi';"],
      ['examples/network.ts', "import { Network } from '@private-api-platform/constructs/network';\nimport { loadEnvironment } from '../environments/load';\nimport { Vpc } from '@cdktf/provider-aws';"],
    ]);
    expect(layerViolations(files)).toEqual([
      'packages/constructs/src/network/index.ts: ../../../../environments/schema (environments/schema is outside what the constructs may import: packages/constructs/src)',
      'packages/constructs/src/edge/index.ts: zod (the constructs import only their peer packages and Node\'s modules)',
      'environments/load.ts: ../stacks (stacks is outside what the environment configuration may import: environments)',
      'stacks/index.ts: ../scripts/lib/args (scripts/lib/args is outside what the stacks may import: stacks, environments)',
      'review/verify.ts: node:fs (the review policy does no I/O: of packages only the constructs, node:crypto, zod and the IAM policy evaluator)',
      'review/verify.ts: ../scripts/lib/terraform (scripts/lib/terraform is outside what the review policy may import: review, stacks, environments)',
      'stacks/platform-stack.ts: ../packages/constructs/src/network (packages/constructs/src/network is outside what the stacks may import: stacks, environments)',
      'scripts/smoke.ts: ../packages/constructs/src/private-api/openapi (packages/constructs/src/private-api/openapi is outside what the commands may import: scripts, bench, review, stacks, environments)',
      'examples/network.ts: ../environments/load (environments/load is outside what the examples may import: examples)',
      'examples/network.ts: @cdktf/provider-aws (the examples import only what a team that installed the constructs has: them and their peers)',
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
