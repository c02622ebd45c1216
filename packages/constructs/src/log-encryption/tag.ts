/** The tag every log KMS key of the platform carries, valued with its name prefix: the CI apply role manages only those. */
export const LOG_KEY_TAG = 'platform-log-key';
