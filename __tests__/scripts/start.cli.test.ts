/** npm start's failure path, without Terraform: it names the failed step and leaves nothing running. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stateValues } from '../../scripts/start';
import { overlayPlan } from '../../review/verify';

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

  it('fails when given a flag it does not know, listing the valid ones (exit 64, as every command)', () => {
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'scripts/start.ts', '--fast'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('unknown flag --fast; valid flags: --all, --stop, --terraform');
  });

  it('reads the raw state (state pull) into the shape of show -json, every instance with its attributes', () => {
    // GIVEN a raw state with a single resource, a counted one and a data source
    const raw = {
      version: 4,
      resources: [
        { mode: 'managed', type: 'aws_lb', name: 'alb', instances: [{ attributes: { internal: true, arn: 'arn:lb' } }] },
        { mode: 'managed', type: 'aws_lb_target_group_attachment', name: 'target', instances: [{ index_key: 0, attributes: { target_id: '10.0.0.5' } }, { index_key: 1, attributes: { target_id: '10.0.1.5' } }] },
        { mode: 'data', type: 'aws_region', name: 'current', instances: [{ attributes: { name: 'eu-west-1' } }] },
      ],
    };
    // WHEN it is converted  THEN addresses, modes, indexes and values are those show -json gives
    const values = stateValues(raw);
    expect(values.root_module.resources.map((r) => [r.address, r.mode, r.index])).toEqual([
      ['aws_lb.alb', 'managed', undefined],
      ['aws_lb_target_group_attachment.target[0]', 'managed', 0],
      ['aws_lb_target_group_attachment.target[1]', 'managed', 1],
      ['data.aws_region.current', 'data', undefined],
    ]);
    // AND the verify overlay takes deployed literals from it, as it does from show -json
    const synthesized = { resource: { aws_lb: { alb: { internal: false, name: 'edge' } } } };
    expect(overlayPlan(synthesized, { planned_values: values }).resource.aws_lb.alb).toEqual({ internal: true, name: 'edge' });
  });
});
