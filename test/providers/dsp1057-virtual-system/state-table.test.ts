/**
 * One generated test over the whole transition table: for every system type, every state and
 * every RequestStateChange code, what Xen_EnabledLogicalElementCapabilities.RequestedStatesSupported
 * and Xen_ComputerSystem.AvailableRequestedStates advertise agrees with what RequestStateChange
 * does (DSP1057 §8.1): an advertised code starts its operation; any other starts nothing and
 * answers 0 (already there), 1 (not supported), 4097 (not from this state) or 4099 (busy).
 * RequestStateChange runs against the real model (VirtManager) over a scripted driver that can
 * put a system in any state.
 */
import { expect } from 'chai';
import { NameMap, type CimValue } from '../../../src/cim/index.js';
import type { ProviderDeps } from '../../../src/providers/index.js';
import { requestStateChange } from '../../../src/providers/dsp1057-virtual-system/request-state-change.js';
import { REQUESTED_STATES_SUPPORTED, availableRequestedStates, codeRule } from '../../../src/providers/dsp1057-virtual-system/states.js';
import {
  JobManager, STEADY_STATES, TRANSITIONAL_STATES, VirtManager, alreadyIn, type SystemState, type VirtualSystemConfig,
} from '../../../src/virt/index.js';
import { StubDriver } from '../../virt/stub-driver.js';

// Every system type advertises the same codes: where a guest cannot take a clean shutdown or
// reboot request (HVM without PV drivers) the driver falls back (ACPI power button; power off
// then start), so nothing advertised depends on the guest's drivers.
const TYPES: readonly VirtualSystemConfig['type'][] = ['pv', 'pvh', 'hvm'];
const STATES: readonly SystemState[] = [...STEADY_STATES, ...TRANSITIONAL_STATES];
/** Every RequestedState value of CIM_EnabledLogicalElement.RequestStateChange that requests something. */
const CODES = [2, 3, 4, 6, 7, 8, 9, 10, 11];

describe('providers/dsp1057: advertised states agree with RequestStateChange over the whole table', () => {
  it('RequestedStatesSupported is exactly what some state makes available', () => {
    const union = new Set(STATES.flatMap((s) => availableRequestedStates(s)));
    expect([...union].sort((a, b) => a - b)).to.deep.equal([...REQUESTED_STATES_SUPPORTED]);
  });

  for (const type of TYPES) {
    for (const state of STATES) {
      it(`${type}, ${state}: AvailableRequestedStates ${JSON.stringify(availableRequestedStates(state))}`, async () => {
        const available = availableRequestedStates(state);
        for (const a of available) expect(REQUESTED_STATES_SUPPORTED, `${a} advertised but not supported`).to.include(a);
        for (const code of CODES) {
          const stub = new StubDriver();
          stub.add({ name: 'vs', type, ...(type === 'pv' ? { boot: { kernel: '/k' } } : {}) }, state);
          const jobs = new JobManager();
          const virt = new VirtManager(stub, { jobs, shutdownTimeoutMs: 200, pollIntervalMs: 5 });
          const deps = { virt, jobs, log: () => {} } as unknown as ProviderDeps;
          const r = await requestStateChange(deps, 'vs', new NameMap<CimValue>([['RequestedState', code]]));
          const started = jobs.list();
          const what = `${type} ${state}, RequestedState ${code} → ${r.returnValue}`;
          if (available.includes(code)) {
            expect(started, `${what}: advertised, so it starts its operation`).to.have.length(1);
            expect([0, 4096], what).to.include(r.returnValue);
          } else {
            expect(started, `${what}: not advertised, so nothing starts`).to.deep.equal([]);
            const rule = codeRule(code);
            const expected = !rule ? 1 : alreadyIn(state, rule.target) ? 0 : TRANSITIONAL_STATES.includes(state) ? 4099 : 4097;
            expect(r.returnValue, what).to.equal(expected);
          }
          await Promise.allSettled(started.map((j) => j.done));
        }
      });
    }
  }
});
