// jest's testSequencer (jest.config.js): the emulator tier's longest files start first, so that with two workers the
// tier ends when its longest file does, not after it. jest orders files by the durations it recorded on earlier runs;
// a fresh clone (CI) has none, and jest then goes by file size, which puts the IAM audit (about 10 minutes) tenth.
const Sequencer = require('@jest/test-sequencer').default;

// Longest first, as measured on a 2-core machine (bench/RESULTS.md, "npm test: the ten slowest files").
const LONGEST = ['operations.emulator.test.ts', 'iam-audit.emulator.test.ts', 'start-cycle.emulator.test.ts'];

const rank = (test) => {
  const index = LONGEST.findIndex((name) => test.path.endsWith(`/${name}`));
  return index < 0 ? LONGEST.length : index;
};

class LongestFirst extends Sequencer {
  sort(tests) {
    // jest's order (failed first, then by duration or size), with the named files moved to the front (a stable sort)
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
module.exports.LONGEST = LONGEST;
