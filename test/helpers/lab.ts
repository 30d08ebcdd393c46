import { labDown, labUp, missingTools, type LabState } from '../../src/lab/lab.js';

let lab: Promise<LabState> | undefined;
let hostsWanted = 0;

/** The lab every integration suite shares: booted on first use, torn down by the runner at the end. */
export function sharedLab(hosts = 3): Promise<LabState> {
  hostsWanted = Math.max(hostsWanted, hosts);
  lab ??= labUp({ hosts: hostsWanted, light: false });
  return lab;
}

export async function teardownLab(): Promise<void> {
  if (!lab) return;
  const l = lab;
  lab = undefined;
  await l.catch(() => undefined);
  await labDown({ quiet: true });
}

export const labMissing = (): string[] => missingTools('full');
