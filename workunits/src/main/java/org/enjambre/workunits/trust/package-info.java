/**
 * Results that resist saboteurs: reputation, adaptive replication, spot-checks with blacklisting and
 * backtracking, credibility-based acceptance (after Sarmenta, "Sabotage-tolerance mechanisms for
 * volunteer computing systems", FGCS 2002) and registration rate limits.
 *
 * <p>Everything here is pure Java without I/O; time is passed in. Values ({@link
 * org.enjambre.workunits.trust.Reputation}) are immutable; the few stateful classes say how they may
 * be shared. A coordinator's scheduler uses them like this for a worker that fetches work:
 * <ol>
 *   <li>refuse it if {@link org.enjambre.workunits.trust.Reputations#blacklisted} (and rate-limit
 *       registrations with {@link org.enjambre.workunits.trust.RateLimiter});</li>
 *   <li>if {@link org.enjambre.workunits.trust.SpotChecker#shouldSpotCheck} says so, send it a
 *       known-answer unit and, when it reports, call {@link org.enjambre.workunits.trust.SpotChecker#judge},
 *       then {@link org.enjambre.workunits.transition.Transitioner#invalidate} every unit it returns;</li>
 *   <li>otherwise, for a unit none of whose replicas is sent yet, ask
 *       {@link org.enjambre.workunits.trust.TrustRules#replicasFor} and
 *       {@link org.enjambre.workunits.transition.Transitioner#replan} the unit when the answer differs,
 *       then issue it as usual;</li>
 *   <li>feed every decision's effects to {@link org.enjambre.workunits.trust.Reputations#record} and
 *       {@link org.enjambre.workunits.trust.SpotChecker#track}; with credibility-based acceptance
 *       ({@link org.enjambre.workunits.trust.CredibilityAcceptance}),
 *       {@link org.enjambre.workunits.transition.Transitioner#revalidate} a worker's pending units when
 *       it passes spot-checks, and {@link org.enjambre.workunits.transition.Transitioner#addReplica} a
 *       unit whose waiting results belong to a worker that went away.</li>
 * </ol>
 * The production rule set is {@link org.enjambre.workunits.trust.TrustRules#PRODUCTION}: the spot-check rate with its
 * warm-up ({@link org.enjambre.workunits.trust.SpotCheckRate}), adaptive replication, the replicas a fresh
 * unit gets ({@link org.enjambre.workunits.trust.TrustRules#replicasFor}, with Sarmenta's voting-to-credibility
 * planning {@link org.enjambre.workunits.trust.CredibilityPlan}) and the credibility wait after which a unit
 * whose results cannot become credible gets one more replica. The coordinator and
 * {@link org.enjambre.workunits.trust.sim.Simulation} both run it.
 */
package org.enjambre.workunits.trust;
