package io.citybrain.jobs.emergency;

/**
 * One row of {@code community_tickets}: how one community (or the part of a district in no
 * community, {@code community} null) handled its residents' tickets during an interval.
 *
 * @param ticketsOpened tickets opened during the interval
 * @param ticketsResolved tickets resolved during the interval
 * @param openTickets tickets open at the end of the interval
 * @param meanHandlingS mean seconds from opening to resolution of the tickets resolved during the
 *     interval, or null when none was
 * @param yellowCards tickets that reached 80% of their deadline during the interval
 * @param redCards tickets that passed their deadline during the interval
 */
public record CommunityTickets(
    String district,
    String community,
    long intervalEnd,
    long ticketsOpened,
    long ticketsResolved,
    long openTickets,
    Double meanHandlingS,
    long yellowCards,
    long redCards) {}
