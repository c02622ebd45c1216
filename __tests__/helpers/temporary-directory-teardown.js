// jest's globalTeardown: see temporary-directory.js.
module.exports = require('./temporary-directory').teardown;
