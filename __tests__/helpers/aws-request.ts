/** Raw AWS API calls to the emulator: the implementation lives with the scripts that use it too. */
export * from '../../scripts/lib/aws-request';
