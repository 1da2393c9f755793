"""The electorate: register import, polling-card letters, deletion after retention."""
