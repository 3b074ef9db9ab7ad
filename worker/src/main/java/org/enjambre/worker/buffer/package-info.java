/**
 * The worker's work buffer (BOINC's {@code work_buf_min}/{@code work_buf_max}): how much work to hold,
 * sized by run times learned per app, and which held tasks cannot finish before their deadline.
 * Pure logic on an injected ticker; internal to the worker.
 */
package org.enjambre.worker.buffer;
