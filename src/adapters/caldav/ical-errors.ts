/**
 * Why an iCalendar object could not be read or written. The message names the line and the property,
 * so that the error log tells the user (or the CRM administrator) exactly what to fix; the item is
 * skipped and the rest of the collection syncs.
 */
import { SyncError } from '../../core/errors.js';

export class ICalendarError extends SyncError<'ical-invalid'> {
  readonly line?: number;
  readonly property?: string;
  constructor(detail: string, where: { readonly line?: number; readonly property?: string }) {
    super('ical-invalid', { line: where.line ?? '', property: where.property ?? '', detail });
    this.name = 'ICalendarError';
    if (where.line !== undefined) this.line = where.line;
    if (where.property !== undefined) this.property = where.property;
  }
}
