package io.smsgw.bulk;

import java.util.UUID;

/**
 * One recipient as the request gave it: its place in {@code recipients} (from 0), its message_id, its phone number and
 * its own text ({@code null}: the bulk's default {@code message}), none of them checked beyond their JSON types yet.
 */
public record BulkRecipient(int index, UUID messageId, String phoneNumber, String text) {
}
