package io.smsgw.delivery;

/** The statements of the delivery-report path (the functions are in the V2 migration). */
final class DeliverySql {

  private DeliverySql() {
  }

  static String storeReports() {
    return "SELECT stored, duplicates, unmatched, finalized FROM store_delivery_reports($1::uuid[], $2::int[], $3::int[], "
      + "$4::text[], $5::text[], $6::text[], $7::timestamptz[])";
  }
}
