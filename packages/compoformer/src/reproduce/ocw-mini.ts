/**
 * "ocw-mini" (compoformer.md section 5): ten planar-suite tasks mirroring
 * OCW20's repeated half: six distinct tasks, then four repeats (marked "-2")
 * with fresh dataset and episode seeds and the same description text, as the
 * official "_2" tasks. Two aliased pairs (drawer open/close, push left/right)
 * see identical observations and need opposite actions, so composition must
 * NOT be reused across them; the repeats should be reused with 0 steps.
 */
import { PLANAR_DESCRIPTIONS, type PlanarTaskName } from '@paperkit/offline-rl';

export interface SequenceTask {
  /** Unique id in the sequence ("reach", "reach-2", ...). */
  id: string;
  /** The planar-suite task its environment and data come from. */
  env: PlanarTaskName;
  description: string;
  /** True for the four repeats. */
  repeat: boolean;
}

const ORDER: Array<[PlanarTaskName, boolean]> = [
  ['reach', false], ['button', false], ['drawer-open', false], ['push-left', false], ['drawer-close', false], ['push-right', false],
  ['reach', true], ['drawer-open', true], ['push-left', true], ['button', true],
];

/** The ten-task sequence, in learning order. */
export function ocwMiniSequence(): SequenceTask[] {
  return ORDER.map(([env, repeat]) => ({ id: repeat ? `${env}-2` : env, env, description: PLANAR_DESCRIPTIONS[env], repeat }));
}

/** Tasks whose learning-speed curves the reproduction reports (new tasks late in the sequence). */
export const CURVE_TASKS = Object.freeze(['drawer-close', 'push-right']);
