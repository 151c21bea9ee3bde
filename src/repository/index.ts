export { Repository } from './repository.js';
