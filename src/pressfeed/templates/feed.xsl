<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an Atom or RSS feed of this site as a page when a browser opens it; feed readers
     read the feed's XML as it is. Written by pressfeed. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom">
<xsl:output method="html" encoding="UTF-8" doctype-system="about:legacy-compat"/>
<xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
<xsl:template match="/">
<html lang="{{ site.language }}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="$title"/></title>
<style>
body { font: 1.05rem/1.6 system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; color: #1b1b1b; overflow-wrap: break-word; }
:lang(ko) { word-break: keep-all; }
a { color: #0b5cad; }
.about { border: 1px solid #f0b46a; border-radius: .5rem; padding: .6rem 1rem; background: #fffaf2; }
code { background: #f3f3f3; padding: .1rem .3rem; user-select: all; }
ul { list-style: none; padding: 0; }
li { margin-bottom: .9rem; }
.meta { color: #555; font-size: .9rem; }
</style>
</head>
<body>
<div class="about">
<p><strong>{{ labels.subscribe }}</strong>: {{ labels.feed_note }}</p>
<p><code><xsl:value-of select="atom:feed/atom:link[@rel='self']/@href | rss/channel/atom:link[@rel='self']/@href"/></code></p>
</div>
<h1><xsl:value-of select="$title"/></h1>
<p><a href="{atom:feed/atom:link[@rel='alternate']/@href | rss/channel/link}">{{ labels.home }}</a></p>
<ul>
<xsl:for-each select="atom:feed/atom:entry | rss/channel/item">
<li><a href="{atom:link/@href | link}"><xsl:value-of select="atom:title | title"/></a><br/>
<span class="meta"><xsl:value-of select="substring(atom:published, 1, 10)"/><xsl:value-of select="substring(pubDate, 6, 11)"/></span></li>
</xsl:for-each>
</ul>
</body>
</html>
</xsl:template>
</xsl:stylesheet>
