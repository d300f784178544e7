package io.smsgw.provider.smpp;

/** The statements of the SMPP provider (the functions are in the V8 migration). */
final class SmppSql {

  private SmppSql() {
  }

  /** $1 message ids: the parts already recorded (taken, or in doubt with a NULL id). */
  static String partsOf() {
    return "SELECT message_id, part, smsc_message_id FROM provider_parts WHERE message_id = ANY ($1::uuid[])";
  }

  /** $1 provider, $2 message ids, $3 parts, $4 part counts, $5 SMSC ids (NULL: no answer). */
  static String recordParts() {
    return "SELECT record_provider_parts($1, $2::uuid[], $3::int[], $4::int[], $5::text[]) AS matched";
  }

  /** $1 provider, $2 SMSC ids, $3 statuses, $4 error codes, $5 done at. */
  static String storeReceipts() {
    return "SELECT stored, duplicates, unmatched, finalized FROM store_provider_receipts($1, $2::text[], $3::text[], $4::text[], "
      + "$5::timestamptz[])";
  }
}
