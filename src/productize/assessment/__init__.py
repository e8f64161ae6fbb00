"""Assessment results and their history: is each product really a product yet?"""
