/**
 * The constructs as a team installs them: `npm pack` of packages/constructs, the tarball installed with npm into a
 * scratch project outside this repository, the examples (examples/) compiled there against the package's declarations
 * and run on its JavaScript, what they synthesize compared with what the same examples synthesize from the sources, and
 * every stack validated by Terraform, offline.
 *
 * Stand-in: the scratch project's peer dependencies (cdktf, constructs, @cdktf/provider-aws: the provider package alone
 * is 362 MB) are links to this repository's installed copies, where a team would install them from the npm registry,
 * which tests do not reach. The package itself comes only from the tarball.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { validateStack } from '../../scripts/validate';
import { terraformEnv } from '../../scripts/lib/terraform';
import { ROOT } from '../helpers/run-script';

const PACKAGE_DIR = join(ROOT, 'packages', 'constructs');
const MANIFEST = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { source: string; types: string; default: string }>;
  peerDependencies: Record<string, string>;
};
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => basename(f, '.ts')).sort();
const PEERS = Object.keys(MANIFEST.peerDependencies);

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; its output is in the error when it fails (an exit code alone says too little). */
function exec(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Result> {
  return new Promise((resolve, reject) =>
    execFile(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code} in ${options.cwd}:\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`));
      else resolve({ code, stdout, stderr });
    }),
  );
}

/** A shell's environment, as a team's would be: without what `npm test` sets for its own scripts (npm_*). */
function strangerEnv(work: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return { ...env, npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
}

/** Every stack an example synthesized into `outdir`: its id and its cdk.tf.json, the local backend's path (the working directory) left out. */
function synthesized(outdir: string): Map<string, string> {
  const stacks = new Map<string, string>();
  for (const id of readdirSync(join(outdir, 'stacks')).sort()) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as { terraform?: { backend?: { local?: { path?: string } } } };
    if (json.terraform?.backend?.local?.path) json.terraform.backend.local.path = `<working directory>/${basename(json.terraform.backend.local.path)}`;
    stacks.set(id, JSON.stringify(json, null, 2));
  }
  return stacks;
}

describe('the constructs package, packed and installed as a team installs it', () => {
  const dist = join(PACKAGE_DIR, 'dist');
  const builtBefore = existsSync(dist);
  let work: string;
  let scratch: string;
  let packedFiles: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'constructs-package-'));
    const env = strangerEnv(work);
    // GIVEN the tarball npm packs (its prepack builds dist/ with tsc -p tsconfig.build.json)
    const pack = await exec('npm', ['pack', '--workspace', 'packages/constructs', '--pack-destination', work, '--json'], { cwd: ROOT, env });
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed!.files.map((f) => f.path).sort();
    // AND a scratch project outside the repository that installs it with npm, its peers linked (see the stand-in above)
    scratch = join(work, 'team-project');
    mkdirSync(join(scratch, 'src'), { recursive: true });
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'team-project', version: '1.0.0', private: true }));
    await exec('npm', ['install', join(work, packed!.filename), '--offline', '--legacy-peer-deps', '--ignore-scripts'], { cwd: scratch, env });
    for (const peer of PEERS) {
      mkdirSync(join(scratch, 'node_modules', peer, '..'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', peer), join(scratch, 'node_modules', peer), 'dir');
    }
    // AND the examples, compiled there by tsc against the package's declarations (its "types" condition)
    for (const example of EXAMPLES) cpSync(join(ROOT, 'examples', `${example}.ts`), join(scratch, 'src', `${example}.ts`));
    const compilerOptions = { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, rootDir: 'src', outDir: 'dist', skipLibCheck: true, types: [] };
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src/*.ts'] }));
    await exec(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: scratch });
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    if (!builtBefore) rmSync(dist, { recursive: true, force: true }); // leave the package as the test found it
  });

  test('the tarball holds the built JavaScript and declarations of every export, the READMEs, the CHANGELOG and the license, and no TypeScript source', () => {
    const targets = Object.values(MANIFEST.exports).flatMap((target) => (typeof target === 'string' ? [] : [target.default, target.types]));
    expect(targets.length).toBeGreaterThanOrEqual(22);
    for (const target of targets) expect([target, packedFiles.includes(target.replace(/^\.\//, ''))]).toEqual([target, true]);
    expect(packedFiles).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json', 'src/network/README.md', 'docs/api/network.md']));
    expect(packedFiles.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(readFileSync(join(scratch, 'node_modules', MANIFEST.name, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  });

  test('each exported subpath resolves, in Node, to the installed JavaScript, and a module the package does not export is refused', async () => {
    // Node's own resolver in the scratch project (jest's would apply this repository's "source" condition)
    const requests = Object.keys(MANIFEST.exports).filter((s) => s !== './package.json').map((subpath) => `${MANIFEST.name}${subpath.slice(1)}`);
    const script = `const out = {}; for (const r of ${JSON.stringify([...requests, `${MANIFEST.name}/edge/load-balancer`])}) { try { out[r] = require.resolve(r); } catch (e) { out[r] = e.code; } } console.log(JSON.stringify(out));`;
    const resolved = JSON.parse((await exec(process.execPath, ['-e', script], { cwd: scratch })).stdout) as Record<string, string>;
    const installed = join(scratch, 'node_modules', ...MANIFEST.name.split('/'));
    expect(requests.length).toBeGreaterThanOrEqual(11);
    for (const request of requests) expect([request, resolved[request]!.startsWith(`${installed}${sep}dist${sep}`) && resolved[request]!.endsWith('.js')]).toEqual([request, true]);
    expect(resolved[`${MANIFEST.name}/edge/load-balancer`]).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test.each(EXAMPLES)(
    'examples/%s.ts: from the tarball it synthesizes what it synthesizes from the sources, and terraform validate finds no error',
    async (example) => {
      // WHEN the compiled example runs in the scratch project (the package's "default" condition: dist/*.js)
      const fromPackage = join(work, 'out', 'package', example);
      mkdirSync(fromPackage, { recursive: true });
      await exec(process.execPath, [join('dist', `${example}.js`)], { cwd: scratch, env: { ...process.env, CDKTF_OUTDIR: fromPackage } });
      // AND the same example runs from the repository's sources (the "source" condition)
      const fromSources = join(work, 'out', 'sources', example);
      mkdirSync(fromSources, { recursive: true });
      await exec(process.execPath, ['scripts/ts-run.cjs', join('examples', `${example}.ts`)], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: fromSources } });
      // THEN both synthesize the same stacks, byte for byte (but the local backend's path: the working directory)
      const stacks = synthesized(fromPackage);
      expect(stacks.size).toBeGreaterThan(0);
      expect([...stacks.keys()]).toEqual([...synthesized(fromSources).keys()]);
      for (const [id, json] of synthesized(fromSources)) expect([id, stacks.get(id)]).toEqual([id, json]);
      // AND Terraform (the AWS provider 5.100.0, offline) finds every stack valid
      for (const id of stacks.keys()) {
        const result = await validateStack(join(fromPackage, 'stacks', id), terraformEnv());
        expect([id, result.diagnostics]).toEqual([id, []]);
        expect(result.valid).toBe(true);
      }
    },
    240_000,
  );
});
