/** NIC models lbprov recognises, by PCI vendor and device id (domain.md). */
const MODELS: Record<string, Record<string, string>> = {
  '0x15b3': { '0x1021': 'connectx-7', '0x101e': 'connectx-7' },
  '0x8086': {
    '0x1591': 'e810-c',
    '0x1592': 'e810-c',
    '0x1593': 'e810-c',
    '0x1599': 'e810-xxv',
    '0x159a': 'e810-xxv',
    '0x159b': 'e810-xxv',
  },
};

export const KNOWN_MODELS = ['connectx-7', 'e810-c', 'e810-xxv'] as const;

export function nicModel(vendor: string | null, device: string | null): string | null {
  if (!vendor || !device) return null;
  return MODELS[vendor.toLowerCase()]?.[device.toLowerCase()] ?? null;
}
