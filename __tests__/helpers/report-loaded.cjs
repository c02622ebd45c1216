// Preloaded by tests (`node -r`): at exit, names the heavy packages the command loaded (cdktf and the AWS provider's
// classes take about half a second): a command that only prints its help or refuses its arguments should load neither.
'use strict';
const path = require('node:path');

process.once('exit', () => {
  const loaded = Object.keys(require.cache);
  const heavy = ['cdktf', path.join('@cdktf', 'provider-aws')].filter((name) => loaded.some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
  process.stderr.write(`heavy packages loaded: ${JSON.stringify(heavy)}\n`);
});
