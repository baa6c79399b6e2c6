// Worker module of worker-jobs.test.ts: squares a number, throws on a negative one.
import { serveWorkerJobs } from '../../src/node.js';

serveWorkerJobs((job: { x: number }) => {
  if (job.x < 0) throw new RangeError(`negative ${job.x}`);
  return { square: job.x * job.x, thread: process.env.PAPERKIT_TEST_THREAD ?? 'worker' };
});
