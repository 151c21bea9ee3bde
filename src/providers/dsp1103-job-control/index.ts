/** DSP1103 Job Control: the jobs of long operations, their owner (the VSMS) and the system each affects. */
import { JOB_CLASS, VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { jobClasses, jobMethods } from './jobs.js';

export { jobInstance, jobClasses, jobMethods } from './jobs.js';

export const jobControl: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({ classes: jobClasses(deps), methods: { [JOB_CLASS]: jobMethods(deps) } }),
}];
