import type { ModuleDef } from '../src/module/types.js';
import assert from './assert.js';
import command from './command.js';
import copy from './copy.js';
import debug from './debug.js';
import file from './file.js';
import shell from './shell.js';
import template from './template.js';
import kernelCheck from './kernel_check.js';
import nicCheck from './nic_check.js';
import pkg from './package.js';
import sysctl from './sysctl.js';
import systemd from './systemd.js';
import bpfProgram from './bpf_program.js';
import textfileCollector from './textfile_collector.js';
import cProgram from './c_program.js';
import reuseportSelftest from './reuseport_selftest.js';
import waitFor from './wait_for.js';
import uri from './uri.js';
import bpfRollback from './bpf_rollback.js';
import setFact from './set_fact.js';
import fail from './fail.js';
import pause from './pause.js';
import { SYS_MODULES } from './sys-modules.js';
import { FILE_MODULES } from './file_modules.js';

/** Every module lbprov knows, in the order `lbprov doc --list` and the README table show them. */
export const ALL_MODULES: readonly ModuleDef[] = [
  command,
  shell,
  copy,
  template,
  file,
  assert,
  debug,
  kernelCheck,
  nicCheck,
  pkg,
  sysctl,
  systemd,
  bpfProgram,
  textfileCollector,
  cProgram,
  reuseportSelftest,
  waitFor,
  uri,
  bpfRollback,
  setFact,
  fail,
  pause,
  ...SYS_MODULES,
  ...FILE_MODULES,
];

export const MODULES: ReadonlyMap<string, ModuleDef> = new Map(
  ALL_MODULES.flatMap((m) => [m.name, ...(m.aliases ?? [])].map((n) => [n, m] as const)),
);
