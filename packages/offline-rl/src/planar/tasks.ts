/**
 * planar-suite task table (harmodt.md §S4): seven 2-D manipulation tasks sharing one
 * 8-dimensional observation [p, o, h, g] and one 2-D position-delta action.
 *
 * Two pairs are aliased on purpose: drawer-open/drawer-close and push-left/push-right see
 * identical observations (the goal side is hidden) but need opposite actions, so a policy
 * without a task signal cannot solve both sides of a pair.
 */

/** The seven planar-suite tasks. */
export type PlanarTaskName = 'reach' | 'push' | 'push-left' | 'push-right' | 'button' | 'drawer-open' | 'drawer-close';

/** Every planar-suite task, in a fixed order (the task index used for dataset seeds). */
export const PLANAR_TASKS: readonly PlanarTaskName[] = Object.freeze([
  'reach', 'push', 'push-left', 'push-right', 'button', 'drawer-open', 'drawer-close',
]);

/** harmodt.md §5: six tasks with two aliased pairs (drawer open/close, push left/right) and two move-to-point tasks. */
export const CONFLICT6: readonly PlanarTaskName[] = Object.freeze([
  'reach', 'button', 'drawer-open', 'drawer-close', 'push-left', 'push-right',
]);

/** Plain-language task descriptions (compoformer.md §5 uses them as text keys). */
export const PLANAR_DESCRIPTIONS: Readonly<Record<PlanarTaskName, string>> = Object.freeze({
  reach: 'move the gripper to the goal',
  push: 'push the puck to the goal',
  'push-left': 'push the puck to the left wall',
  'push-right': 'push the puck to the right wall',
  button: 'press the button on the top wall',
  'drawer-open': 'pull the drawer handle to open the drawer',
  'drawer-close': 'push the drawer handle to close the drawer',
});

/** Observation width of every planar task: [p_x, p_y, o_x, o_y, h_x, h_y, g_x, g_y]. */
export const PLANAR_STATE_DIM = 8;
/** Action width: hand position delta (scaled by 0.1), each coordinate in [-1, 1]. */
export const PLANAR_ACT_DIM = 2;
/** Episode length T (no early stop). */
export const PLANAR_HORIZON = 40;

export function isPlanarTask(name: unknown): name is PlanarTaskName {
  return typeof name === 'string' && (PLANAR_TASKS as readonly string[]).includes(name);
}
