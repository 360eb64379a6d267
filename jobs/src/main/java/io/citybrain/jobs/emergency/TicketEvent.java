package io.citybrain.jobs.emergency;

/**
 * One step in the handling of a resident ticket, as the incident lifecycle saw it: the input of the
 * {@code community_tickets} indicators.
 *
 * @param type {@link #OPENED}, {@link #RESOLVED}, {@link #YELLOW_CARD} or {@link #RED_CARD}
 * @param ts the reading's time (opened, resolved) or the card's timer
 * @param handlingMs for {@link #RESOLVED}: the ticket's resolution time minus its opening time,
 *     both as the ticket system stamped them; 0 otherwise
 */
public record TicketEvent(
    String district, String community, String ticketId, String type, long ts, long handlingMs) {

  public static final String OPENED = "opened";
  public static final String RESOLVED = "resolved";
  public static final String YELLOW_CARD = "yellow";
  public static final String RED_CARD = "red";

  public String areaKey() {
    return AreaIntervals.key(district, community);
  }
}
