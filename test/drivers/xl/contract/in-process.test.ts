/** The xl driver contract: every case, on xl-sim in this process (backends.ts). */
import { contractSuite } from './backends.js';
import { ADOPTION_CASES } from './adoption.cases.js';
import { LIFECYCLE_CASES } from './lifecycle.cases.js';
import { RESOURCES_CASES } from './resources.cases.js';

contractSuite('in-process', {
  'life cycle': LIFECYCLE_CASES,
  'adoption and reads': ADOPTION_CASES,
  'resources, devices and hosts': RESOURCES_CASES,
});
