"""The public portal: the centre's home page, search and lists, feeds (issue 19). It reads every app through its selectors."""
