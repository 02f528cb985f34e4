/** The words of the item failures decided before a send, shared by the retrigger and its dry run. */
export const NOT_FOUND_FOR_WEBHOOK = 'notification not found for this webhook';
export const IN_FLIGHT = 'a retrigger of this notification is already in progress';
