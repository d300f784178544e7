package io.smsgw.config;

import java.util.List;

/**
 * The configuration was refused: every problem found (not only the first), one per line, each naming its key in both
 * spellings ({@code charge.max_batch (SMSGW_CHARGE_MAX_BATCH)}). The entry points print {@link #getMessage()} and exit 2.
 */
public final class ConfigException extends IllegalStateException {

  private final List<String> problems;

  ConfigException(String origin, List<String> problems) {
    super("configuration refused (" + origin + "), " + problems.size() + (problems.size() == 1 ? " problem:" : " problems:")
      + "\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
