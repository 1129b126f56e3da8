// User exits of CRM Calendar Sync (Miscellaneous tab: "Use user exits", method name). Deployed next to
// the add-in; your administrator replaces this file with the organisation's own. The method named in
// the settings is called for every item that crosses, in both directions:
//   call.direction: 'outlook-to-mobile' | 'mobile-to-outlook'
//   call.item:      the item as the sync carries it (subject, start, end, location, body, crm, …)
//   call.raw:       the source's own representation (a Graph event, or the iCalendar text)
// Return the item to write (changed or not), or null to keep this item from crossing.
// The default method changes nothing.
export function crmCalendarUserExit(call) {
  return call.item;
}
