/**
 * Shows a message on the current item's info bar. Outlook cuts notification texts at 150 characters
 * (https://learn.microsoft.com/javascript/api/outlook/office.notificationmessagedetails), so the text is
 * shortened here rather than rejected there.
 */
export function notify(office: typeof Office, key: string, details: Office.NotificationMessageDetails): Promise<void> {
  const item = office.context.mailbox?.item;
  if (!item) return Promise.resolve();
  const message = details.message.length > 150 ? `${details.message.slice(0, 149)}…` : details.message;
  return new Promise((resolve) => {
    item.notificationMessages.replaceAsync(key, { ...details, message }, () => resolve());
  });
}
