"""Reports of a run: the one-page summary in Markdown and the terminal table (:mod:`.summary`)."""

from carbonsim.report.summary import summary_markdown, terminal_table

__all__ = ["summary_markdown", "terminal_table"]
