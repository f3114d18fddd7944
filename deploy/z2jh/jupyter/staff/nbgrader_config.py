# Written by `course-admin hub`: staff servers on the class server.
c = get_config()
c.Exchange.root = '/srv/platform-intl/exchange'
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = 'nbgrader.auth.JupyterHubAuthPlugin'
c.ExchangeFactory.fetch_assignment = 'platform_intl.instructor.hub_exchange.PrivateFetchAssignment'
c.ExchangeFactory.fetch_feedback = 'platform_intl.instructor.hub_exchange.PrivateFetchFeedback'
c.ExchangeFactory.list = 'platform_intl.instructor.hub_exchange.PrivateList'
c.ExchangeFactory.submit = 'platform_intl.instructor.hub_exchange.PrivateSubmit'
c.ExchangeFactory.collect = 'platform_intl.instructor.hub_exchange.PrivateCollect'
c.ExchangeFactory.release_assignment = 'platform_intl.instructor.hub_exchange.PrivateReleaseAssignment'
c.ExchangeFactory.release_feedback = 'platform_intl.instructor.hub_exchange.PrivateReleaseFeedback'
