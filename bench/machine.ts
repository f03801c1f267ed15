// One line describing where the numbers were measured.
import * as os from 'node:os';

export interface MachineDescription {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly nodeVersion: string;
  readonly os: string;
  readonly date: string;
}

export function describeMachine(now = new Date()): MachineDescription {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown CPU',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    nodeVersion: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export function machineLine(machine: MachineDescription): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB RAM, Node.js ${machine.nodeVersion}, `
    + `${machine.os}, ${machine.date}`;
}
