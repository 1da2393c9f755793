"""gunicorn's settings for Bürgervotum: logs that cannot tie a vote to a person or a moment.

    gunicorn -c gunicorn.conf.py 'voting.app:create_app()'

Options on the command line (workers, bind, log files) override these. The access log
names no client address and no query string for any request, and has no line per vote
request, only counts per hour (voting/web/access_log.py); docs/deployment.md ("Logs")
gives the reverse proxy's settings to match.
"""

from voting.web import access_log

logger_class = access_log.VoteBlindLogger
worker_exit = access_log.worker_exit
# stdout unless --access-logfile names a file. Time, method, path, status, bytes sent and
# duration: what an operator needs to watch load and errors, and nothing of the client.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
