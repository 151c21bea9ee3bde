import { expect } from 'chai';
import { TRANSITIONS, allowedOperations, availableTargets, checkTransition, planTransition } from '../../src/virt/states.js';
import { VirtError } from '../../src/virt/errors.js';

describe('state model', () => {
  it('has one table covering every operation', () => {
    expect(Object.keys(TRANSITIONS).sort()).to.deep.equal(
      ['destroy', 'pause', 'reboot', 'reset', 'restore', 'restore_paused', 'save', 'shutdown', 'start', 'start_paused', 'unpause'],
    );
    expect(allowedOperations('defined').sort()).to.deep.equal(['start', 'start_paused']);
    expect(allowedOperations('suspended').sort()).to.deep.equal(['destroy', 'restore', 'restore_paused']);
    expect(allowedOperations('paused')).to.include.members(['unpause', 'save', 'destroy', 'reset']);
    expect(allowedOperations('paused')).to.not.include('shutdown'); // a paused guest cannot acknowledge
  });

  it('plans the operation for a target state', () => {
    expect(planTransition('x', 'defined', 'running')).to.equal('start');
    expect(planTransition('x', 'paused', 'running')).to.equal('unpause');
    expect(planTransition('x', 'suspended', 'running')).to.equal('restore');
    expect(planTransition('x', 'defined', 'paused')).to.equal('start_paused');
    expect(planTransition('x', 'running', 'suspended')).to.equal('save');
    expect(planTransition('x', 'crashed', 'defined')).to.equal('destroy');
    expect(availableTargets('running').sort()).to.deep.equal(['defined', 'paused', 'reboot', 'reset', 'shut_down', 'suspended']);
  });

  it('refuses impossible transitions, and says busy while something is under way', () => {
    expect(() => planTransition('x', 'running', 'running')).to.throw(VirtError).with.property('kind', 'invalid_state');
    expect(() => checkTransition('x', 'defined', 'pause')).to.throw(VirtError).with.property('kind', 'invalid_state');
    expect(() => checkTransition('x', 'migrating', 'pause')).to.throw(VirtError).with.property('kind', 'busy');
  });
});
