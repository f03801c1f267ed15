/**
 * A failure whose message is written for the person deploying: it becomes the custom resource's
 * failure reason as is. It must name what is wrong and the fix, and never carry a secret.
 */
export class DeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}
