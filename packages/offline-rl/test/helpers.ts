import { initBackend } from '@paperkit/tensor-core';

export async function setupBackend(): Promise<string> {
  return (await initBackend({ quiet: true })).name;
}
