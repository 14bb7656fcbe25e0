// Deliberately broken spec: an error outside any test still counts as a failure.
import type { SpecContext } from '../../harness';

export default async function (_ctx: SpecContext): Promise<void> {
  throw new Error('spec set-up failed on purpose');
}
