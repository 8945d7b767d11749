// Kept for the importers outside this area's edit (services/simog, bench/): import from the files named here.
export { hashToken } from './token-hash.js';
export { issueToken } from './issue-token.js';
