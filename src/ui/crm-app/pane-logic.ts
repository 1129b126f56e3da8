/**
 * The rules the task pane applies once its services are there (profile validation, the compiled
 * policy, the field-by-field merge, the catalogue's errors). Loaded with the services, not before the
 * first render: the pane's frame needs none of them.
 */
export { validateProfile } from '@crm-sync/common/profile-validate';
export { holdForUser } from '../../core/sync/conflict.js';
export { compilePolicy } from '../../core/sync/policy.js';
export { SyncError } from '../../core/errors.js';
export { mergeItems } from '../../core/model/merge.js';
