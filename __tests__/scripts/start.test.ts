/** npm start's failure path, without Terraform: it names the failed step and leaves nothing running. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

describe('npm start', () => {
  it('fails when Python (the emulator) is missing: names the step, says what to install, leaves no emulator', () => {
    const work = mkdtempSync(join(tmpdir(), 'platform-start-'));
    try {
      const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'scripts/start.ts'], {
        cwd: ROOT,
        env: { ...process.env, PLATFORM_WORK_DIR: work, EMULATOR_PYTHON: join(work, 'no-such-python3') },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('npm start failed at step "start the local AWS emulator"');
      expect(result.stderr).toMatch(/pip install "moto\[server\]"/);
      const daemonDir = join(work, 'emulator');
      expect(existsSync(join(daemonDir, 'daemon.json'))).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('fails when given a flag it does not know, listing the valid ones (exit 2)', () => {
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'scripts/start.ts', '--fast'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown flag --fast; valid flags: --all, --stop, --terraform');
  });
});
